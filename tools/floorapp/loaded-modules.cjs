// Preloaded into the app and the floor app by make bench (node --require): at exit, writes the
// aws-cdk-lib modules (its top-level directories: core, aws-ec2, region-info...) this Node
// process loaded to the file PRIVATEPATCH_MODULES names, one a line, sorted. jsii's launcher
// loads none and writes nothing; its kernel writes the list.
'use strict';
const fs = require('fs');

process.on('exit', () => {
  // A worker thread (the kernel starts one) has a cache of its own: the main thread's list counts.
  if (!require('worker_threads').isMainThread) return;
  const modules = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /[\\/]node_modules[\\/]aws-cdk-lib[\\/]([^\\/]+)[\\/]/.exec(file);
    if (match && match[1] !== 'node_modules') modules.add(match[1]); // not its bundled dependencies
  }
  if (modules.size > 0 && process.env.PRIVATEPATCH_MODULES) {
    fs.writeFileSync(process.env.PRIVATEPATCH_MODULES, [...modules].sort().join('\n') + '\n');
  }
});
