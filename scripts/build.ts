// `npm run build`: compiles the worker, console and CLI to dist/ (tsconfig.build.json) and prebuilds
// the workflow bundle into dist/workflow-bundle.js, which the compiled worker loads instead of
// running webpack at every start (worker/create.ts). Run: node dist/worker/main.js,
// node dist/client/console/main.js, node dist/client/cli/main.js.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

async function main(): Promise<void> {
  const started = Date.now();
  fs.rmSync(dist, { recursive: true, force: true });
  execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(root, 'workflows', 'index.ts'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  fs.writeFileSync(path.join(dist, 'workflow-bundle.js'), code);
  // The console's stylesheets are read from next to client/console/assets.ts at start.
  fs.cpSync(path.join(root, 'client', 'console', 'assets'), path.join(dist, 'client', 'console', 'assets'), { recursive: true });
  console.log(`dist/ built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
