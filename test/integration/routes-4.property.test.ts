/** Every route under hostile input, the fourth quarter of the routes (test/support/routes-property.ts). */
import { routesPropertySuite } from '../support/routes-property.js';

routesPropertySuite(3, 4);
