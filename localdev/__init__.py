"""`make run`: the whole product offline — embedded AWS (moto), local Step Functions, delivery, chalice local."""
