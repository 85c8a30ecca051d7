/** The metadata cannot be turned into artifacts; the message says why and what to change. */
export class AdfGenerationError extends Error {}
