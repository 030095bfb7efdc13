-- Temporal's own databases next to the application's (temporalio/auto-setup fills them).
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
