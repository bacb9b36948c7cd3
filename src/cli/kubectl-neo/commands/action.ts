// The glue between commander and the commands: builds the CommandContext from the global flags,
// runs the command, closes connections, and hands back its exit code.

import type { Command } from "commander";
import { CommandContext, type GlobalOptions } from "../context.js";
import type { CliIo } from "../io.js";

export type ExitSink = (code: number) => void;

export interface CommandDeps {
  io: CliIo;
  setExitCode: ExitSink;
}

/**
 * Wraps a command body for commander's .action(): `body` gets the context, the command's own
 * options and its positional arguments, and returns an exit code (0 when it returns nothing).
 */
export function action<O extends object>(
  deps: CommandDeps,
  body: (ctx: CommandContext, opts: O, args: unknown[]) => Promise<number | void>,
) {
  return async (...received: unknown[]): Promise<void> => {
    // commander passes (...args, options, command).
    const command = received[received.length - 1] as Command;
    const args = received.slice(0, -2);
    const ctx = new CommandContext(deps.io, command.optsWithGlobals<GlobalOptions>());
    try {
      const code = await body(ctx, command.opts<O>(), args);
      deps.setExitCode(code ?? 0);
    } finally {
      await ctx.close();
    }
  };
}
