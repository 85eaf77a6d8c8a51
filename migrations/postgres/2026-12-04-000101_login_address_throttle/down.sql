DROP TABLE login_address_throttle;
