export { MediaServer } from './MediaServer.js';
export { defaultConfig, loadConfig, ConfigError, type ServerConfig } from './config/config.js';
