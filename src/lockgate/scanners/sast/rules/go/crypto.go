package auth

import (
	"crypto/aes"
	"crypto/des"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"golang.org/x/crypto/bcrypt"
)

func HashPassword(password string) string {
	// ruleid: lockgate.go.crypto.weak-hash-for-secret
	sum := md5.Sum([]byte(password))
	return hex.EncodeToString(sum[:])
}

func HashToken(apiToken string) []byte {
	h := sha1.New()
	// ruleid: lockgate.go.crypto.weak-hash-for-secret
	io.WriteString(h, apiToken)
	return h.Sum(nil)
}

func HashPasswordSafe(password string) ([]byte, error) {
	// ok: lockgate.go.crypto.weak-hash-for-secret
	return bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
}

func ETag(body []byte) string {
	// ok: lockgate.go.crypto.weak-hash-for-secret
	sum := md5.Sum(body)
	return hex.EncodeToString(sum[:])
}

func TokenDigest(token string) [32]byte {
	// ok: lockgate.go.crypto.weak-hash-for-secret
	return sha256.Sum256([]byte(token))
}

func Ciphers(key []byte) {
	// ruleid: lockgate.go.crypto.broken-cipher
	des.NewCipher(key[:8])
	// ruleid: lockgate.go.crypto.broken-cipher
	rc4.NewCipher(key)
	// ok: lockgate.go.crypto.broken-cipher
	aes.NewCipher(key)
}
