def x(): pass
