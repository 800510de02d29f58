// 5.1 → 5.2: adds services[].labels.
import { minorHop } from './minor.js';

export const hop = minorHop('5.1', '5.2', ['services[].labels: free-form labels on a service']);
