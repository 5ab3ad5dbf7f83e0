import { Command, Option, type CommanderError } from 'commander';
import { readCairnEnv, type CairnEnv } from '@cairn/config';
import { usageError } from './errors.js';
import { serveCommand, type ServeOptions } from './commands/serve.js';
import { backupCommand, doctorCommand, migrateCommand } from './commands/maintenance.js';
import { restoreCommand, verifyCommand } from './commands/integrity.js';
import { schemaExportCommand } from './commands/schema.js';
import { registerSecretsCommands } from './commands/secrets.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerArtifactCommands } from './commands/artifacts.js';
import { registerTaskCommands } from './commands/tasks.js';
import { rebuildCommand, repairCommand } from './commands/repair.js';
import { registerArtifactTransferCommands } from './commands/artifact-transfer.js';

export interface GlobalOptions {
  home?: string;
  json?: boolean;
}

/**
 * Commander's "error: unknown option '--value=...'" would echo what followed `=`: on
 * `secrets set` that may be the secret someone tried to pass on the command line.
 */
const scrubUsage = (message: string) => message.replace(/^error:\s*/, '').replace(/'(-{1,2}[^'=\s]+)=[^']*'/g, "'$1=...'");

/** `cairn secrets set`: the words that name a command. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** Every command (and subcommand) reports usage errors the same way: one line, exit 2, from main. */
function configure(command: Command): Command {
  return command
    .configureOutput({ outputError: () => undefined })
    .exitOverride((error: CommanderError) => {
      // Help and version are not failures; `cairn` (or `cairn secrets`) alone printed its help on stderr: a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') process.exit(0);
      if (error.code === 'commander.help') process.exit(2);
      throw usageError(`${scrubUsage(error.message)} (see ${commandPath(command)} --help)`);
    });
}

/** The `cairn` command. `env` is injectable for tests; by default the process environment. */
export function buildCli(env: CairnEnv = readCairnEnv()): Command {
  const program = configure(
    new Command('cairn')
      .description('Cairn: the durable state layer and gateway for AI-agent runtimes')
      .addOption(new Option('--home <dir>', 'runtime home (default $CAIRN_HOME, else ~/.cairn)'))
      .option('--json', 'print machine-readable JSON (errors too, on stderr)'),
  );
  const global = () => program.opts<GlobalOptions>();
  const add = (parent: Command, name: string) => configure(parent.command(name));

  add(program, 'serve')
    .description('start the gateway on the runtime home (migrates it first)')
    .option('--listen <address>', 'host:port or port to listen on (default 127.0.0.1:17878, or CAIRN_LISTEN)')
    .option('--exit-with-parent', 'also stop when the parent process exits (npm start uses it)')
    .action(async (options: ServeOptions) => serveCommand(env, global(), options));

  add(program, 'migrate')
    .description('migrate gateway.db to the schema of this build')
    .option('--status', 'only show the applied and the latest version')
    .action(async (options: { status?: boolean }) => migrateCommand(env, global(), options));

  add(program, 'backup')
    .description('online backup of gateway.db and keystore.db into <home>/backups/')
    .action(async () => backupCommand(env, global()));

  add(program, 'doctor')
    .description('check permissions and integrity of the runtime home; exit 1 on any problem')
    .action(async () => doctorCommand(env, global()));

  add(program, 'verify')
    .description('check integrity, the journal hash chains and the signed checkpoints; exit 1 on any finding')
    .option('--full', 'integrity_check instead of quick_check')
    .option('--quarantine', 'quarantine the artifacts on missing or corrupt blobs (default: report only)')
    .action(async (options: { full?: boolean; quarantine?: boolean }) => verifyCommand(env, global(), options));

  add(program, 'restore')
    .description('restore gateway.db from <home>/backups/ (the newest unless named), recording a signed restore marker; the gateway must be stopped')
    .argument('[backup]', 'a gateway-<timestamp>.db in <home>/backups/')
    .option('--keystore <backup>', 'also restore keystore.db from this keystore-<timestamp>.db (it must be under the current master key)')
    .action(async (backup: string | undefined, options: { keystore?: string }) => restoreCommand(env, global(), backup, options));

  add(program, 'repair')
    .description("run the start's read-model repairs now (terminal turns with open items, expired recovery claims); exit 1 if any remain")
    .action(async () => repairCommand(env, global()));

  add(program, 'rebuild')
    .description('drop every read model and replay the whole journal into it, in one transaction (best with the gateway stopped)')
    .action(async () => rebuildCommand(env, global()));

  const schema = add(program, 'schema').description('the protocol as OpenRPC and JSON Schema');
  add(schema, 'export')
    .description('write openrpc.json and one JSON Schema per method and notification into <dir>; without --out, print the OpenRPC document')
    .option('--out <dir>', 'directory to write into (created if missing)')
    .action(async (options: { out?: string }) => schemaExportCommand(global(), options));

  registerSecretsCommands(add(program, 'secrets').description('secret values in the runtime home keystore (values never printed)'), add, env, global);
  registerTokenCommands(add(program, 'token').description('bearer tokens for clients of the gateway'), add, env, global);
  const artifacts = add(program, 'artifacts').description('artifacts: blobs of the runtime home, and bytes through the running gateway');
  registerArtifactCommands(artifacts, add, env, global);
  registerArtifactTransferCommands(artifacts, add, env, global);
  registerTaskCommands(add(program, 'tasks').description("the home's tasks: list, show, cancel"), add, env, global);

  return program;
}
