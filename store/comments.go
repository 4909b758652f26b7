package store

import (
	"context"
	"fmt"
	"iter"

	"github.com/lib/pq"
)

// Comment is one respondent's answer to a free-text question, as stored:
// e-mail addresses and phone numbers in it were masked at ingest.
type Comment struct {
	// File is the source file's name and Row the respondent's row in it.
	File string
	Row  int
	// Question is the header of the free-text column.
	Question string
	// Text is the comment.
	Text string
	// Federation is the federation of the respondent's practice; empty when
	// the practice is unmatched or in no federation.
	Federation string
	// Role is the role the respondent gave, trimmed.
	Role string
}

// Comments returns every stored comment, by file name, file, row and
// question, as a sequence read from the database while it is iterated, so
// memory does not grow with the number of comments. With federations, only
// the comments of respondents matched to a practice of one of them are
// returned (a federation lead's view). The sequence holds a database
// connection until it ends. An error ends it, yielded with a zero Comment.
func (s *Store) Comments(ctx context.Context, federations ...string) iter.Seq2[Comment, error] {
	return func(yield func(Comment, error) bool) {
		rows, err := s.db.QueryContext(ctx, `SELECT f.name, r.row_number, c.question, c.body,
				coalesce(fed.name, ''), btrim(r.role)
			`+commentsFrom+`
			ORDER BY f.name COLLATE "C", f.id, r.row_number, c.ord`, pq.Array(nonNil(federations)))
		if err != nil {
			yield(Comment{}, fmt.Errorf("store: comments: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var c Comment
			var question *string
			if err := rows.Scan(&c.File, &c.Row, &question, &c.Text, &c.Federation, &c.Role); err != nil {
				yield(Comment{}, fmt.Errorf("store: comments: %w", err))
				return
			}
			if question != nil {
				c.Question = *question
			}
			if !yield(c, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Comment{}, fmt.Errorf("store: comments: %w", err))
		}
	}
}

// commentsFrom selects the non-empty comments, of the federations in $1
// when it is not empty.
const commentsFrom = `FROM respondents r
			JOIN source_files f ON f.id = r.file_id
			CROSS JOIN LATERAL unnest(f.comment_questions, r.comments) WITH ORDINALITY AS c (question, body, ord)
			LEFT JOIN practices p ON p.ods_code = r.practice_ods
			LEFT JOIN federations fed ON fed.id = p.federation_id
			WHERE c.body <> '' AND (cardinality($1::text[]) = 0 OR fed.name = ANY($1))`

// CommentCount returns how many comments [Store.Comments] would return
// for the same federations.
func (s *Store) CommentCount(ctx context.Context, federations ...string) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) `+commentsFrom, pq.Array(nonNil(federations))); err != nil {
		return 0, fmt.Errorf("store: comment count: %w", err)
	}
	return n, nil
}
