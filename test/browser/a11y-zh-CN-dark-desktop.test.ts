import { a11yMatrix } from '../support/a11y.js';

a11yMatrix('zh-CN', 'dark', 'desktop');
