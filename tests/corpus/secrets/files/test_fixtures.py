# A test fixture: the allow marker documents why this key is here.
FAKE_STRIPE = "sk_live_ydFltEEWKipsbjQlBIz6Odyv"  # lockgate:allow fixture for the payment tests
