export { renderWeb, renderOperatorText } from './web.js';
export { cardStatus, buttonData, parseButtonData, expiryLine, shortTime } from './card-text.js';
