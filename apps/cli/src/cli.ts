import { Command, Option } from 'commander';
import { readCairnEnv, type CairnEnv } from '@cairn/config';
import { serveCommand, type ServeOptions } from './commands/serve.js';
import { backupCommand, doctorCommand, migrateCommand } from './commands/maintenance.js';
import { restoreCommand, verifyCommand } from './commands/integrity.js';

export interface GlobalOptions {
  home?: string;
  json?: boolean;
}

/** The `cairn` command. `env` is injectable for tests; by default the process environment. */
export function buildCli(env: CairnEnv = readCairnEnv()): Command {
  const program = new Command('cairn')
    .description('Cairn: the durable state layer and gateway for AI-agent runtimes')
    .addOption(new Option('--home <dir>', 'runtime home (default $CAIRN_HOME, else ~/.cairn)'))
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
    .exitOverride((error) => {
      // Help and version are not failures; everything else keeps commander's exit code.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') process.exit(0);
      process.exit(error.exitCode);
    });

  program
    .command('serve')
    .description('start the gateway on the runtime home (migrates it first)')
    .option('--listen <address>', 'host:port or port to listen on (default 127.0.0.1:17878, or CAIRN_LISTEN)')
    .option('--exit-with-parent', 'also stop when the parent process exits (npm start uses it)')
    .action(async (options: ServeOptions) => serveCommand(env, program.opts<GlobalOptions>(), options));

  program
    .command('migrate')
    .description('migrate gateway.db to the schema of this build')
    .option('--status', 'only show the applied and the latest version')
    .action(async (options: { status?: boolean }) => migrateCommand(env, program.opts<GlobalOptions>(), options));

  program
    .command('backup')
    .description('online backup of gateway.db and keystore.db into <home>/backups/')
    .action(async () => backupCommand(env, program.opts<GlobalOptions>()));

  program
    .command('doctor')
    .description('check permissions and integrity of the runtime home')
    .action(async () => doctorCommand(env, program.opts<GlobalOptions>()));

  program
    .command('verify')
    .description('check integrity, the journal hash chains and the signed checkpoints; exit 1 on any finding')
    .option('--full', 'integrity_check instead of quick_check')
    .action(async (options: { full?: boolean }) => verifyCommand(env, program.opts<GlobalOptions>(), options));

  program
    .command('restore')
    .description('restore gateway.db from <home>/backups/ (the newest unless named), recording a signed restore marker; the gateway must be stopped')
    .argument('[backup]', 'a gateway-<timestamp>.db in <home>/backups/')
    .option('--keystore <backup>', 'also restore keystore.db from this keystore-<timestamp>.db (it must be under the current master key)')
    .action(async (backup: string | undefined, options: { keystore?: string }) => restoreCommand(env, program.opts<GlobalOptions>(), backup, options));

  return program;
}
