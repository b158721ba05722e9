// Placeholder translation unit until the simulated host lands.
