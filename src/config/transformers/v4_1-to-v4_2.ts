// 4.1 → 4.2: adds routes (a public path to a service).
import { minorHop } from './minor.js';

export const hop = minorHop('4.1', '4.2', ['routes: public paths routed to services']);
