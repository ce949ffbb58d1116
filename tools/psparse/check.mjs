// Parses PowerShell scripts with tree-sitter-powershell and reports every ERROR and MISSING node,
// so that a script the Go tests synthesise into an SSM document, or keep as a .ps1 file, is known
// to parse although no pwsh runs here.
//
//   node --liftoff-only tools/psparse/check.mjs < scripts.json
//
// stdin: [{"name": "...", "source": "..."}, ...]; stdout: one JSON array, for each script
// {"name", "errors": [{"line", "column", "kind": "ERROR" | "MISSING <node>", "text"}],
//  "chains": [{"line", "column", "text"}], "commands": [{"line", "name", "parameters": ["-Name", ...]}]}:
// chains are the pipeline chain operators && and || (which the grammar, unlike Windows PowerShell
// 5.1, accepts), commands every command with the parameters it is given, so that the Go tests can
// refuse what Windows PowerShell 5.1 does not have.
// Exit 0 when it parsed everything (with or without errors), 1 when it could not run.
// --liftoff-only: V8 otherwise compiles the 1 MB grammar again with its optimising compiler in
// the background and exit waits for it (about 5 s here, against 0.1 s).
//
// Known gaps of the grammar (0.26.4), each valid PowerShell that it reports as an error; write
// the equivalent on the right instead:
//   $a / 1GB             (a multiplier suffix after a binary operator)  ->  $a / (1GB)
//   cmd /x:'{...}'       (a quoted part holding braces in an argument)  ->  cmd '/x:{...}'
//   Mock Name { }        (an empty script block as an argument)         ->  Mock Name { @() }
//   cmd a, b             (a list of bare words as an argument)          ->  cmd 'a', 'b'
import { readFileSync } from 'node:fs';
import { Language, Parser } from 'web-tree-sitter';

const grammar = new URL('./node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm', import.meta.url);

async function main() {
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(readFileSync(grammar)));
  const scripts = JSON.parse(readFileSync(0, 'utf8'));
  const results = scripts.map(({ name, source }) => {
    const tree = parser.parse(source);
    const errors = [];
    // Only subtrees that hold an error are walked: reading children is the costly part.
    const walk = (node) => {
      if (node.type === 'ERROR' || node.isMissing) {
        errors.push({
          line: node.startPosition.row + 1,
          column: node.startPosition.column + 1,
          kind: node.isMissing ? `MISSING ${node.type}` : 'ERROR',
          text: source.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 60)),
        });
        return;
      }
      for (const child of node.children) {
        if (child.hasError || child.isMissing) walk(child);
      }
    };
    if (tree.rootNode.hasError) walk(tree.rootNode);
    const { chains, commands } = usage(tree.rootNode);
    tree.delete();
    return { name, errors, chains, commands };
  });
  process.stdout.write(JSON.stringify(results));
}

// usage lists the pipeline chain operators and the commands (name, parameters) of a script.
function usage(root) {
  const at = (node) => ({ line: node.startPosition.row + 1, column: node.startPosition.column + 1 });
  const chains = root.descendantsOfType('pipeline_chain_tail').map((node) => ({ ...at(node), text: node.text }));
  const commands = root.descendantsOfType('command').map((node) => {
    const elements = node.childForFieldName('command_elements');
    const parameters = elements ? elements.namedChildren.filter((c) => c.type === 'command_parameter').map((c) => c.text) : [];
    return { line: at(node).line, name: node.childForFieldName('command_name')?.text ?? '', parameters };
  });
  return { chains, commands };
}

main().catch((err) => {
  console.error(`psparse: ${err.stack || err}`);
  process.exit(1);
});
