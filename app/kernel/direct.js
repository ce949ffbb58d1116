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
// instead of two. Node never opens fds 1 and 2 as streams, so they stay blocking. Only the main
// thread: the kernel's worker threads have stdio of Node's own, which the streams here would break.
//
// jsii's launcher also warns when Node is a release its table calls end-of-life or untested
// (@jsii/check-node, in bin/jsii-runtime.js); the kernel does not, so this does it for the
// releases of that table (nodeReleases: the pinned jsii-runtime-go's, checked by the tests).
'use strict';
const fs = require('fs');
const { Writable } = require('stream');
const { isMainThread } = require('worker_threads');
const { readSync, writeSync } = fs;
const channel = 3, requests = 4, replies = 5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

// nodeReleases are the Node majors the pinned jsii's table tests, with their end of life.
const nodeReleases = {
  12: '2022-04-30', 14: '2023-04-30', 16: '2023-09-11', 18: '2025-04-30', 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30',
};

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

// releaseWarning is what to say of this Node release, or nothing: one jsii's table does not call
// supported, or past its end of life; silenced as jsii's own warnings are.
function releaseWarning(version, now, env) {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  const endOfLife = nodeReleases[major];
  if (endOfLife === undefined) {
    if (env.JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION) return '';
    return `privatepatch: jsii has not been tested with Node ${version} (it tests ${Object.keys(nodeReleases).join(', ')}); ` +
      'should you see odd errors, use a supported release (make setup installs Node 24)\n';
  }
  const silenced = (env.JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION || '').split(',').map((v) => v.trim());
  if (now < new Date(endOfLife).getTime() || silenced.includes(String(major))) return '';
  return `privatepatch: Node ${major} reached its end of life on ${endOfLife}: upgrade to a supported release (make setup installs Node 24)\n`;
}

if (isMainThread) {
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
  const warning = releaseWarning(process.version, Date.now(), process.env);
  if (warning) process.stderr.write(warning);
}

module.exports = { nodeReleases, releaseWarning, writeAll };
