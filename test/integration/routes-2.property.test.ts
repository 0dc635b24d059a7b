/** Every route under hostile input, the second quarter of the routes (test/support/routes-property.ts). */
import { routesPropertySuite } from '../support/routes-property.js';

routesPropertySuite(1, 4);
