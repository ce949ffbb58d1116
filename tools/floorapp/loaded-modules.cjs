// Preloaded into the app and the floor app by make bench (node --require): at exit, writes the
// aws-cdk-lib modules (its top-level directories: core, aws-ec2, region-info...) this Node
// process loaded to the file PRIVATEPATCH_MODULES names, one a line, sorted. jsii's launcher
// loads none and writes nothing; its kernel writes the list.
'use strict';
const fs = require('fs');

process.on('exit', () => {
  const modules = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /[\\/]node_modules[\\/]aws-cdk-lib[\\/]([^\\/]+)[\\/]/.exec(file);
    if (match) modules.add(match[1]);
  }
  if (modules.size > 0 && process.env.PRIVATEPATCH_MODULES) {
    fs.writeFileSync(process.env.PRIVATEPATCH_MODULES, [...modules].sort().join('\n') + '\n');
  }
});
