"""Small framework-free helpers shared by the apps."""
