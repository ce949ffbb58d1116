// make bench's reading of a cloud assembly's construct tree (tools/bench.sh):
//   node constructs.cjs count DIR     the number of constructs
//   node constructs.cjs classes DIR   the classes (constructInfo.fqn) of its constructs, sorted, one a line
// The tree is tree.json, which CDK splits into trees-N.json files when it is large
// (@aws-cdk/core.TreeMetadata:maxNodes, aws-cdk-lib's core/lib/private/tree-metadata.js): a node
// {id, path, fileName, treeId} stands for the tree forest[treeId] of that file. A split can leave
// older copies of a subtree in earlier files, so the tree is read from tree.json by its
// references, never file by file, and each construct (its path) is counted once.
'use strict';
const fs = require('fs');
const path = require('path');

function constructs(dir) {
  const files = new Map();
  const load = (name) => {
    if (!files.has(name)) files.set(name, JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
    return files.get(name);
  };
  const found = new Map(); // path -> fqn
  const walk = (node) => {
    if (node.fileName !== undefined) {
      const tree = (load(node.fileName).forest || {})[node.treeId];
      if (!tree) throw new Error(`${node.fileName} has no tree ${node.treeId} (${node.path})`);
      walk(tree);
      return;
    }
    found.set(node.path, (node.constructInfo && node.constructInfo.fqn) || '');
    for (const child of Object.values(node.children || {})) walk(child);
  };
  walk(load('tree.json').tree);
  return found;
}

if (require.main === module) {
  const [mode, dir] = process.argv.slice(2);
  if (!['count', 'classes'].includes(mode) || !dir) {
    console.error('usage: node constructs.cjs count|classes DIR');
    process.exit(2);
  }
  let found;
  try {
    found = constructs(dir);
  } catch (e) {
    console.error(`constructs.cjs: ${dir}: ${e.message}`);
    process.exit(1);
  }
  if (mode === 'count') console.log(found.size);
  else console.log([...new Set([...found.values()].filter(Boolean))].sort().join('\n'));
}
