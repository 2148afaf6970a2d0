"""`dialer demo`: the whole product on embedded defaults, with a simulated carrier and agents."""
