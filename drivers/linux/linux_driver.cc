// Placeholder translation unit until the netlink driver lands.
