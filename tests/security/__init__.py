"""Security tests: each reproduces an attack from issue 10 and shows it refused."""
