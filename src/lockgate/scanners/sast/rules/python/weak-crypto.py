# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import os

from Crypto.Cipher import AES, DES, ARC4
from Crypto.PublicKey import RSA
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def encrypt(key, data):
    # ruleid: lockgate.python.weak-crypto.weak-cipher
    des = DES.new(key, DES.MODE_CBC, iv=os.urandom(8))
    # ruleid: lockgate.python.weak-crypto.weak-cipher
    rc4 = ARC4.new(key)
    # ruleid: lockgate.python.weak-crypto.ecb-mode
    aes = AES.new(key, AES.MODE_ECB)
    # ok: lockgate.python.weak-crypto.ecb-mode
    aes = AES.new(key, AES.MODE_GCM)
    # ruleid: lockgate.python.weak-crypto.weak-cipher
    cipher = Cipher(algorithms.TripleDES(key), modes.CBC(os.urandom(8)))
    # ruleid: lockgate.python.weak-crypto.ecb-mode
    cipher = Cipher(algorithms.AES(key), modes.ECB())
    # ok: lockgate.python.weak-crypto.weak-cipher
    cipher = Cipher(algorithms.AES(key), modes.GCM(os.urandom(12)))
    return cipher


def keys():
    # ruleid: lockgate.python.weak-crypto.short-asymmetric-key
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    # ok: lockgate.python.weak-crypto.short-asymmetric-key
    strong = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    # ruleid: lockgate.python.weak-crypto.short-asymmetric-key
    legacy = RSA.generate(512)
    return weak, strong, legacy
