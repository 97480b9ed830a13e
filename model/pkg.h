/* model/pkg.h -- the package container: a self-describing file of typed sections that
 * `dlvta compile` writes and `dlvta run` executes. Header: magic "DLVTAPKG", version, header
 * size, the hardware config's fingerprint and name, the section table, the file size and a
 * checksum over everything after the header. pkg_read validates all of it before anything is
 * used; what the sections hold is defined by their writer (compiler/) and reader (the runtime).
 */
#ifndef DLVTA_PKG_H
#define DLVTA_PKG_H

#include <stddef.h>
#include <stdint.h>

#include "isa.h"

#define PKG_VERSION 1u
#define PKG_MAX_SECTIONS 65536u

typedef struct pkg_section {
  uint32_t type;   /* writer-defined */
  uint32_t index;  /* distinguishes sections of one type */
  const uint8_t *data;
  uint64_t size;   /* bytes */
} pkg_section;

typedef struct pkg {
  const isa_config *cfg;
  uint32_t n_sections;
  pkg_section *sections;
  uint8_t *file;   /* the whole file (sections point into it) */
  uint64_t file_size;
} pkg;

/* Writing: add sections (data is copied; or taken: a malloc'ed block the writer frees, on
 * failure too), then save. */
typedef struct pkg_writer pkg_writer;
pkg_writer *pkg_writer_new(const isa_config *cfg);
int pkg_writer_add(pkg_writer *w, uint32_t type, uint32_t index, const void *data, uint64_t size);
int pkg_writer_take(pkg_writer *w, uint32_t type, uint32_t index, void *data, uint64_t size);
int pkg_writer_save(pkg_writer *w, const char *path, char *err, size_t errlen);
void pkg_writer_free(pkg_writer *w);

/* Reading: validates magic, version, sizes, section bounds and checksum, and that the
 * fingerprint is a config this build knows. Returns 0, or -1 with "path: reason". */
int pkg_read(const char *path, pkg *out, char *err, size_t errlen);
const pkg_section *pkg_find(const pkg *p, uint32_t type, uint32_t index);
void pkg_free(pkg *p);

/* Sets the file size and checksum in the header of the n bytes b of a package to fit them (for
 * tools that change a package's bytes: the package fuzzers); nothing when n is below a header. */
void pkg_seal(uint8_t *b, uint64_t n);

#endif
