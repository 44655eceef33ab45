region         = "eu-west-1"
db_password    = "RBBppyBOLzTENa1H56e1Mhio"
instance_count = 2
