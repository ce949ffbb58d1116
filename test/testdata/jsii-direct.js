// Preloaded (node --require) into jsii's kernel when the tests start it without jsii's launcher
// (kernel_test.go). The kernel (lib/program.js of jsii-runtime-go's embedded runtime) reads and
// writes its protocol on fd 3 with fs.readSync and fs.writeSync; the launcher (bin/jsii-runtime.js)
// spawns it with fd 3 a socket it relays to and from its own stdin and stdout, and turns the
// kernel's stdout and stderr into {"stdout"|"stderr": base64} lines on its own stderr, which the Go
// runtime decodes. Here the kernel is the Go process's child itself: fd 3 is stdin for reads and
// stdout for writes, and stdout and stderr are wrapped as the launcher wraps them, so what reaches
// the Go side is the same, and each call crosses one process boundary instead of two.
'use strict';
const fs = require('fs');
const { readSync, writeSync } = fs;
const channel = 3;
fs.readSync = (fd, ...rest) => readSync(fd === channel ? 0 : fd, ...rest);
fs.writeSync = (fd, ...rest) => writeSync(fd === channel ? 1 : fd, ...rest);
for (const [stream, key] of [[process.stdout, 'stdout'], [process.stderr, 'stderr']]) {
  stream.write = (chunk, encoding, callback) => {
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding);
    writeSync(2, JSON.stringify({ [key]: data.toString('base64') }) + '\n');
    if (callback) process.nextTick(callback);
    return true;
  };
}
