/**
 * Columns of the dashboard's grid, in which a panel's `layout` is counted (shared by the schema
 * and the page). A file of its own so that the page's placement code, loaded with every view,
 * does not bring the schema's validation library along.
 */
export const GRID_COLUMNS = 12;
