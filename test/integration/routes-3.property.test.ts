/** Every route under hostile input, the third quarter of the routes (test/support/routes-property.ts). */
import { routesPropertySuite } from '../support/routes-property.js';

routesPropertySuite(2, 4);
