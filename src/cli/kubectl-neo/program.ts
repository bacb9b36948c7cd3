// kubectl neo: the command tree, global flags, help text, and the mapping from whatever
// happens to an exit status (0 ok, 1 job failed, 2 usage, 3 API error).

import { Command, CommanderError, Option } from "commander";
import { registerGet } from "./commands/get.js";
import { registerJobCommands } from "./commands/job-commands.js";
import { registerMarket } from "./commands/market.js";
import { registerRun } from "./commands/run.js";
import { registerWallet } from "./commands/wallet.js";
import { DEFAULT_TOKEN_SECRET } from "./credentials.js";
import { EXIT, formatError } from "./errors.js";
import type { CliIo } from "./io.js";

export const VERSION = "0.1.0";

const OVERVIEW = `
Run containers on the NeoEngine compute network from your cluster, watch them, read their
logs and results, and see the market and your wallet. Jobs are NeoJob objects that the
neoengine-operator submits; this plugin creates and reads them like kubectl does.

Quick start:
  kubectl neo prices                                   # what compute costs now
  kubectl neo run hello --image python:3.11-slim --max-price 0.5 -- python -c "print('Hello')"
  kubectl neo get                                      # your NeoJobs, with progress
  kubectl neo logs hello                               # what the job printed

NeoEngine credentials (for logs, results, cancel, providers, prices, stats, wallet, withdraw):
  1. --neoengine-url / --token, else NEOENGINE_URL / NEOENGINE_TOKEN;
  2. for logs, results and cancel: the NeoJob's own spec.credentialsSecretRef;
  3. the operator's token Secret: --token-secret / NEOENGINE_TOKEN_SECRET (<namespace>/<name>[#key]),
     else what the operator's Deployment uses (its --token-secret and --neoengine-url),
     else ${DEFAULT_TOKEN_SECRET.namespace}/${DEFAULT_TOKEN_SECRET.name}. A "url" key in the Secret sets the URL.

Exit status:
  0  success            1  the job Failed or was Cancelled (run, get <name> -w)
  2  usage error        3  the cluster or NeoEngine refused or could not be reached
`;

export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command("kubectl neo");
  program
    .description("kubectl neo — submit and watch NeoEngine jobs, and see the market and your wallet")
    .version(VERSION, "--version", "print the plugin version")
    .addOption(new Option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)"))
    .addOption(new Option("--context <name>", "kubeconfig context to use"))
    .addOption(new Option("-n, --namespace <namespace>", "namespace (default: the context's, else default)"))
    .addOption(new Option("-A, --all-namespaces", "list across all namespaces (get)"))
    // The environment variables are read in credentials.ts (from the injected environment).
    .addOption(new Option("--neoengine-url <url>", "NeoEngine API URL, e.g. http://127.0.0.1:8787/v1 (env NEOENGINE_URL)"))
    .addOption(new Option("--token <token>", "NeoEngine API token (env NEOENGINE_TOKEN, preferred: flags show in ps)"))
    .addOption(new Option("--token-secret <namespace/name>", "the operator's token Secret, <namespace>/<name>[#key] (env NEOENGINE_TOKEN_SECRET)"))
    .addHelpText("after", OVERVIEW)
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s),
    })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false });

  const deps = { io, setExitCode };
  registerRun(program, deps);
  registerGet(program, deps);
  registerJobCommands(program, deps);
  registerMarket(program, deps);
  registerWallet(program, deps);
  return program;
}

/** Runs the plugin with `args` (without node and script path) and returns the exit status. */
export async function runKubectlNeo(args: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(args, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help asked for (or shown because no command was given): 0 when asked, 2 otherwise.
      if (["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code)) {
        return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      }
      // Commander already printed its message (unknown option, missing argument, ...).
      return EXIT.USAGE;
    }
    const formatted = formatError(error);
    io.stderr.write(formatted.text + "\n");
    return formatted.exitCode;
  }
}
