// Preloaded (node --require) into jsii's kernel by the launcher script (launcher.go), which runs
// the kernel without jsii's launcher. The kernel (lib/program.js of jsii-runtime-go's embedded
// runtime) reads and writes its protocol on fd 3 with fs.readSync and fs.writeSync; the launcher
// (bin/jsii-runtime.js) spawns it with fd 3 a socket it relays to and from its own stdin and
// stdout, stdin ignored, and turns the kernel's stdout and stderr into {"stdout"|"stderr": base64}
// lines on its own stderr, which the Go runtime decodes. Here the kernel is the Go process's child
// itself, started by a shell that moved the Go side's pipes: fd 4 the requests (Go's stdin), fd 5
// the replies (Go's stdout), fd 0 /dev/null, fds 1 and 2 Go's stderr. The protocol's fd 3 is read
// from 4 and written to 5 (libuv takes fd 3 for its epoll, which nothing here reads or writes),
// and process.stdout and process.stderr are streams that write those JSON lines to fd 2 in full,
// so what reaches the Go side is the launcher's, and each call crosses one process boundary
// instead of two. Node never opens fds 1 and 2 as streams, so they stay blocking.
'use strict';
const fs = require('fs');
const { Writable } = require('stream');
const { readSync, writeSync } = fs;
const channel = 3, requests = 4, replies = 5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

// writeAll writes the whole buffer, waiting as the kernel's own SyncStdio does when the fd is full.
function writeAll(fd, buffer) {
  let written = 0, wait = 0;
  while (written < buffer.length) {
    try {
      written += writeSync(fd, buffer, written);
      wait = 0;
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      wait = Math.min(Math.max(2 * wait, 1), 10);
      Atomics.wait(sleeper, 0, 0, wait);
    }
  }
}

fs.readSync = (fd, ...rest) => readSync(fd === channel ? requests : fd, ...rest);
fs.writeSync = (fd, ...rest) => writeSync(fd === channel ? replies : fd, ...rest);
for (const key of ['stdout', 'stderr']) {
  const stream = new Writable({
    write(chunk, encoding, callback) {
      const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding);
      writeAll(2, Buffer.from(JSON.stringify({ [key]: data.toString('base64') }) + '\n'));
      callback();
    },
  });
  Object.defineProperty(process, key, { configurable: true, enumerable: true, get: () => stream });
}
