import {
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/**
 * Kysely's SQLite driver passes its one connection on through a mutex that wakes
 * every waiter at each release; all but one then wait again. With thousands of
 * requests queued (a busy server) that took 40% of the CPU and stretched the
 * event-loop stalls. This driver hands the connection to the next waiter only, in
 * arrival order; Kysely's own mutex is then always free when it is asked.
 */
export class QueuedSqliteDriver extends SqliteDriver {
  #busy = false;
  #waiting: (() => void)[] = [];
  #head = 0;

  override async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#busy = true;
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    if (this.#head === this.#waiting.length) {
      this.#busy = false;
      this.#waiting = [];
      this.#head = 0;
      return;
    }
    const next = this.#waiting[this.#head++]!;
    // A queue with a moving head (shifting a long array at every release copies it),
    // cut back once half of it has been served.
    if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    next();
  }
}

/** SqliteDialect with the queued driver. */
export class QueuedSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new QueuedSqliteDriver(this.#config);
  }
}
