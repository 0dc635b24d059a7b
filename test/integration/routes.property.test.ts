/** Every route under hostile input, the first quarter of the routes (test/support/routes-property.ts). */
import { routesPropertySuite } from '../support/routes-property.js';

routesPropertySuite(0, 4);
