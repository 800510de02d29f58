// 5.0 → 5.1: adds observability (metrics, tracing, log level).
import { minorHop } from './minor.js';

export const hop = minorHop('5.0', '5.1', ['observability: metrics, tracing, logLevel']);
