import { DefaultLogger } from '@temporalio/worker';

/** For bundling and workers in tests: warnings and errors only. */
export const quietLogger = new DefaultLogger('WARN');
