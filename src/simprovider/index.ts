// Public API of the simulated provider (tests and the demo).
export { simulatedStdout, startSimProvider, type SimProvider, type SimProviderOptions } from "./simprovider.js";
