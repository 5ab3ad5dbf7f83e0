// A real PostgreSQL server for tests and benchmarks, started from the installed binaries
// (Debian's postgresql-15: `pg_config --bindir`). initdb and postgres refuse to run as root,
// which is who tests run as here, so when we are root both run as the `postgres` user that
// Debian's package creates (setpriv), in a temp directory that user owns. The server listens
// on 127.0.0.1 on a free port and on a unix socket in its directory; fsync is off because a
// test server's durability is not under test (PostgreSQL's own is not ours to test).
//
// A watchdog ties the server to the process that started it: if that process dies (a killed
// jest run), postgres gets SIGQUIT and nothing lingers. (setpriv's --pdeathsig does not
// survive the change of user, so a detached shell polls instead.)
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_SUPERUSER = 'cairn';

/** The directory of initdb, pg_ctl and postgres; `CAIRN_PG_BINDIR` overrides `pg_config --bindir`. */
export function postgresBinDir() {
  if (process.env.CAIRN_PG_BINDIR) return process.env.CAIRN_PG_BINDIR;
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'postgres'))) return dir;
  } catch {
    // fall through to the versioned Debian directories
  }
  for (const version of ['17', '16', '15']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'postgres'))) return dir;
  }
  throw new Error('no PostgreSQL server binaries found: install postgresql-15 (apt-get install postgresql-15) or set CAIRN_PG_BINDIR');
}

function asServerUser() {
  if (process.getuid?.() !== 0) return { prefix: [], uid: undefined, gid: undefined };
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { prefix: ['setpriv', '--reuid=postgres', '--regid=postgres', '--clear-groups'], uid, gid };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(prefix, file, args, options = {}) {
  const [command, ...rest] = prefix.length > 0 ? [...prefix, file, ...args] : [file, ...args];
  return execFileSync(command, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/**
 * Starts a server and resolves when it accepts connections. `settings` are extra `-c`
 * options (name → value).
 */
export async function startPostgresServer(options = {}) {
  const bin = postgresBinDir();
  const user = asServerUser();
  const root = mkdtempSync(join(options.parentDir ?? tmpdir(), 'cairn-pg-'));
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  const socketDir = join(root, 'socket');
  for (const dir of [data, socketDir]) {
    execFileSync('mkdir', ['-m', '0700', dir]);
    if (user.uid !== undefined) chownSync(dir, user.uid, user.gid);
  }
  try {
    run(user.prefix, join(bin, 'initdb'), ['-D', data, '-U', TEST_SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed: ${error.stderr || error.message}`, { cause: error });
  }
  const port = options.port ?? (await freePort());
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: socketDir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    shared_buffers: '128MB',
    log_min_messages: 'warning',
    ...options.settings,
  };
  const args = ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const [command, ...rest] = [...user.prefix, join(bin, 'postgres'), ...args];
  const child = spawn(command, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
  const watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -QUIT ${child.pid} 2>/dev/null; rm -rf '${root}'`], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      rmSync(root, { recursive: true, force: true });
      throw new Error(`postgres exited at start: ${stderr}`);
    }
    try {
      run([], join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', TEST_SUPERUSER]);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGQUIT');
        rmSync(root, { recursive: true, force: true });
        throw new Error(`postgres did not accept connections within 30 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const url = (database = 'postgres') => `postgres://${TEST_SUPERUSER}@127.0.0.1:${port}/${database}`;
  let databases = 0;
  return {
    host: '127.0.0.1',
    port,
    socketDir,
    user: TEST_SUPERUSER,
    pid: child.pid,
    url,
    /** Creates an empty database (a fresh name unless given) and returns its URL. */
    createDatabase(name = `t_${process.pid}_${Date.now().toString(36)}_${databases++}`) {
      run([], join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', TEST_SUPERUSER, name]);
      return url(name);
    },
    /** Fast shutdown (SIGINT), then removes the data directory. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGQUIT'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(root, { recursive: true, force: true });
      try {
        process.kill(watchdog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
