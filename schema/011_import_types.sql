-- "herald import laravel" (issue R): a Laravel notification's type is its
-- class name, up to Laravel's VARCHAR(255) (App\Containers\...\
-- TaskEstimateExceededNotification is 65 characters).  The column keeps
-- what the original kept; what a client may send stays NOTE_TYPE_MAX.
ALTER TABLE notifications MODIFY type VARCHAR(255) NOT NULL;
