package handlers

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"net/http"
	"os"
)

type Job struct {
	Name string
}

func Submit(w http.ResponseWriter, r *http.Request) {
	var job Job
	// ruleid: lockgate.go.deserialization.gob-from-request
	if err := gob.NewDecoder(r.Body).Decode(&job); err != nil {
		http.Error(w, "bad job", http.StatusBadRequest)
	}
}

func SubmitField(w http.ResponseWriter, r *http.Request) {
	var job Job
	// ruleid: lockgate.go.deserialization.gob-from-request
	gob.NewDecoder(bytes.NewBufferString(r.FormValue("job"))).Decode(&job)
}

func SubmitJSON(w http.ResponseWriter, r *http.Request) {
	var job Job
	// ok: lockgate.go.deserialization.gob-from-request
	json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&job)
}

func LoadState(path string) (Job, error) {
	var job Job
	f, err := os.Open(path)
	if err != nil {
		return job, err
	}
	defer f.Close()
	// ok: lockgate.go.deserialization.gob-from-request
	err = gob.NewDecoder(f).Decode(&job)
	return job, err
}
