package handlers

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/jmoiron/sqlx"
)

type Store struct {
	db  *sql.DB
	dbx *sqlx.DB
}

var sortColumns = map[string]string{"name": "name", "created": "created_at"}

func (s *Store) User(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: lockgate.go.sql-injection.string-built-query
	rows, err := s.db.Query("SELECT id FROM users WHERE name = '" + name + "'")
	if err != nil {
		return
	}
	defer rows.Close()
}

func (s *Store) Delete(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	q := fmt.Sprintf("DELETE FROM users WHERE id = %s", id)
	// ruleid: lockgate.go.sql-injection.string-built-query
	s.db.ExecContext(r.Context(), q)
}

func (s *Store) Search(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString("SELECT * FROM items WHERE title LIKE '%")
	b.WriteString(r.FormValue("q"))
	b.WriteString("%'")
	var items []string
	// ruleid: lockgate.go.sql-injection.string-built-query
	s.dbx.Select(&items, b.String())
	// ruleid: lockgate.go.sql-injection.string-built-query
	s.db.QueryRow("SELECT count(*) FROM items WHERE owner = '" + r.Header.Get("X-User") + "'")
	json.NewEncoder(w).Encode(items)
}

func (s *Store) UserSafe(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ok: lockgate.go.sql-injection.string-built-query
	s.db.Query("SELECT id FROM users WHERE name = $1", name)
	// ok: lockgate.go.sql-injection.string-built-query
	s.db.QueryRowContext(r.Context(), "SELECT id FROM users WHERE name = ?", name)
	var ids []int
	// ok: lockgate.go.sql-injection.string-built-query
	s.dbx.Select(&ids, "SELECT id FROM users WHERE name = ?", name)
	stmt, err := s.db.Prepare("SELECT id FROM users WHERE name = ?")
	if err != nil {
		return
	}
	defer stmt.Close()
	// ok: lockgate.go.sql-injection.string-built-query
	stmt.QueryRow(name)
	// ok: lockgate.go.sql-injection.string-built-query
	stmt.Exec(name)
}

func (s *Store) Page(w http.ResponseWriter, r *http.Request) {
	limit, err := strconv.Atoi(r.FormValue("limit"))
	if err != nil {
		return
	}
	// ok: lockgate.go.sql-injection.string-built-query
	s.db.Query(fmt.Sprintf("SELECT id FROM users LIMIT %d", limit))
}

func (s *Store) Sorted(w http.ResponseWriter, r *http.Request) {
	sort := r.FormValue("sort")
	if _, ok := sortColumns[sort]; !ok {
		http.Error(w, "bad sort", http.StatusBadRequest)
		return
	}
	// ok: lockgate.go.sql-injection.string-built-query
	s.db.Query("SELECT id FROM users ORDER BY " + sort)
}
