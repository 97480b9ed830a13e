# tools/layers.mk -- per-component include paths from layers.txt, the allowed include graph
# (ARCHITECTURE.md). For each component c of the table:
#   LAYER_INC_c    the -I of c's folders and of every component c may use (the closure of its
#                  `uses`), nothing else: a wrong include fails to build
#   LAYER_SRCS_c   c's C sources (its folders' *.c, less files another row claims)
# and every object of c, under $(BUILD)/obj/ or any root given to layer_objs_inc, is compiled
# with its component's paths (target-specific INC, used by the object rule). tools/layers.sh
# checks the same table over the sources (tests/test_layers.sh in make test).
comma := ,
LAYER_TABLE := layers.txt
LAYER_ROWS  := $(shell awk '!/^[[:space:]]*(\#|@|$$)/ { print $$1 "|" $$2 "|" $$3 }' $(LAYER_TABLE))
LAYERS      := $(foreach r,$(LAYER_ROWS),$(firstword $(subst |, ,$(r))))
$(foreach r,$(LAYER_ROWS),$(eval LAYER_DIRS_$(word 1,$(subst |, ,$(r))) := $(subst $(comma), ,$(word 2,$(subst |, ,$(r))))))
$(foreach r,$(LAYER_ROWS),$(eval LAYER_USES_$(word 1,$(subst |, ,$(r))) := $(filter-out -,$(subst $(comma), ,$(word 3,$(subst |, ,$(r)))))))

# $(call layer_closure,c): c and every component it may use, directly or through others
layer_closure = $(sort $(1) $(foreach u,$(LAYER_USES_$(1)),$(call layer_closure,$(u))))
# folders (not file entries) of a component, build/... relocated under $(BUILD)
layer_dirs = $(patsubst build/%,$(BUILD)/%,$(filter-out %.c %.h %.cpp,$(LAYER_DIRS_$(1))))
LAYER_FILE_ENTRIES := $(filter %.c %.h %.cpp,$(foreach c,$(LAYERS),$(LAYER_DIRS_$(c))))
$(foreach c,$(LAYERS),$(eval LAYER_INC_$(c) := $(addprefix -I,$(foreach x,$(call layer_closure,$(c)),$(call layer_dirs,$(x))))))
$(foreach c,$(LAYERS),$(eval LAYER_SRCS_$(c) := $(filter %.c,$(LAYER_DIRS_$(c))) \
  $(filter-out $(LAYER_FILE_ENTRIES),$(foreach d,$(filter-out build/%,$(call layer_dirs,$(c))),$(wildcard $(d)/*.c)))))

# $(call layer_objs_inc,ROOT): objects ROOT/<source>.o of every component get its INC (and
# rebuild when the table changes)
define layer_objs_inc
$(foreach c,$(LAYERS),$(eval $(patsubst %.c,$(1)/%.o,$(LAYER_SRCS_$(c))): private INC := $(LAYER_INC_$(c))) \
  $(eval $(patsubst %.c,$(1)/%.o,$(LAYER_SRCS_$(c))): $(LAYER_TABLE)))
endef
$(call layer_objs_inc,$(BUILD)/obj)

# the check, and that it catches a violation (tests/test_layers.sh)
TEST_SCRIPTS += tests/test_layers.sh

# make layers-inc LAYER=driver: prints a component's -I (for tests/test_layers.sh)
.PHONY: layers-inc
layers-inc:
	@echo '$(LAYER_INC_$(LAYER))'
