export { LibSQLSaver } from './saver.js';
