import { ParleyClient } from '../../../src/sdk/index.js';

/** The one SDK client of this page, talking to the server that served it. */
export const client = new ParleyClient({ baseUrl: location.origin });
