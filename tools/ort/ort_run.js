// tools/ort/ort_run.js -- run an ONNX model on onnxruntime (CPU, float) for reference outputs.
//   node ort_run.js MODEL.onnx INPUT.npy[,INPUT2.npy...] OUTPUT.npy
// INPUT is float32 (converted to the input's type: uint8, int8, int32, int64) with the model's input shape, or with a leading N for N runs of a batch-1
// model (outputs stacked the same way); a model with several inputs takes one file per input,
// comma-separated in the model's input order. Writes the first model output as float32 .npy
// (an integer output converted; ORT_RUN_ALL_OUTPUTS=1: every output, output o > 0 to OUTPUT_o.npy).
// ORT_RUN_OPT=disabled|basic|extended|all sets onnxruntime's
// graph optimization level (default all): disabled runs the graph as written (onnxruntime's
// fusions can change a model's meaning: a Pad fused into a ceil_mode AveragePool drops a window).
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function readNpy(path) {
  const b = fs.readFileSync(path);
  if (b.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(path + ': not a .npy file');
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const hoff = major === 1 ? 10 : 12;
  const h = b.toString('latin1', hoff, hoff + hlen);
  if (!h.includes("'<f4'")) throw new Error(path + ': want float32, header ' + h);
  const m = h.match(/'shape':\s*\(([^)]*)\)/);
  const shape = m[1].split(',').map(s => s.trim()).filter(s => s.length).map(Number);
  const off = hoff + hlen;
  const n = (b.length - off) / 4;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = b.readFloatLE(off + 4 * i);
  return { shape, data };
}

function writeNpy(path, shape, data) {
  let h = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape.join(', ') +
          (shape.length === 1 ? ',' : '') + '), }';
  const pad = (64 - ((10 + h.length + 1) % 64)) % 64;
  h = h + ' '.repeat(pad) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(head, 0);
  head[6] = 1; head[7] = 0; head.writeUInt16LE(h.length, 8);
  const body = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) body.writeFloatLE(data[i], 4 * i);
  fs.writeFileSync(path, Buffer.concat([head, Buffer.from(h, 'latin1'), body]));
}

// float32 values as the model input's element type (an integer input: a uint8 image)
const TYPED = { float32: Float32Array, uint8: Uint8Array, int8: Int8Array, int32: Int32Array };
function typedAs(type, data) {
  if (type === 'int64') return BigInt64Array.from(data, v => BigInt(Math.round(v)));
  if (!TYPED[type]) throw new Error('input type ' + type + ' not supported');
  return TYPED[type].from(data);
}

async function main() {
  const [model, inPaths, outPath] = process.argv.slice(2);
  if (!outPath) { console.error('usage: node ort_run.js MODEL.onnx INPUT.npy[,INPUT2.npy...] OUTPUT.npy'); process.exit(2); }
  const opts = { intraOpNumThreads: 1 };
  if (process.env.ORT_RUN_OPT) opts.graphOptimizationLevel = process.env.ORT_RUN_OPT;
  const sess = await ort.InferenceSession.create(model, opts);
  const paths = inPaths.split(',');
  if (paths.length !== sess.inputNames.length)
    throw new Error(model + ' has ' + sess.inputNames.length + ' input(s), ' + paths.length + ' file(s) given');
  const outName = sess.outputNames[0];
  // per input: its batches (one, or N stacked over the model's rank)
  let nb = -1, stacked = false;
  const per = paths.map((p, i) => {
    const x = readNpy(p);
    const meta = sess.inputMetadata ? sess.inputMetadata[i] : null;
    const rank = meta && meta.shape ? meta.shape.length : x.shape.length;
    let batches = [x];
    if (x.shape.length === rank + 1) {
      stacked = true;
      const n = x.data.length / x.shape[0];
      batches = [];
      for (let k = 0; k < x.shape[0]; k++)
        batches.push({ shape: x.shape.slice(1), data: x.data.subarray(k * n, (k + 1) * n) });
    }
    if (nb >= 0 && batches.length !== nb) throw new Error(p + ': ' + batches.length + ' inputs, the first file has ' + nb);
    nb = batches.length;
    return batches;
  });
  // the first output, or every output with ORT_RUN_ALL_OUTPUTS=1 (output o > 0 to OUTPUT_o.npy, as
  // dlvta run writes them)
  const names = process.env.ORT_RUN_ALL_OUTPUTS ? sess.outputNames : [sess.outputNames[0]];
  const outs = names.map(() => []), oshapes = names.map(() => null);
  for (let k = 0; k < nb; k++) {
    const feeds = {};
    sess.inputNames.forEach((name, i) => {
      const type = sess.inputMetadata && sess.inputMetadata[i].type ? sess.inputMetadata[i].type : 'float32';
      feeds[name] = new ort.Tensor(type, typedAs(type, per[i][k].data), per[i][k].shape);
    });
    const r = await sess.run(feeds);
    names.forEach((n, o) => { outs[o].push(r[n].data); oshapes[o] = r[n].dims.slice(); });
  }
  names.forEach((n, o) => {
    const total = outs[o].reduce((a, v) => a + v.length, 0);
    const all = new Float32Array(total);
    let k = 0;
    // an integer output (ArgMax's int64 indices) as float32, as dlvta's runtime returns it
    for (const v of outs[o]) { all.set(v instanceof BigInt64Array ? Array.from(v, Number) : v, k); k += v.length; }
    const dot = outPath.lastIndexOf('.');
    const path = o === 0 ? outPath : (dot > 0 ? outPath.slice(0, dot) : outPath) + '_' + o + (dot > 0 ? outPath.slice(dot) : '');
    writeNpy(path, stacked ? [nb].concat(oshapes[o]) : oshapes[o], all);
  });
}
main().catch(e => { console.error('ort_run: ' + e.message); process.exit(1); });
