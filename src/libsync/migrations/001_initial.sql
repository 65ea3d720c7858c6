-- placeholder: the first schema is written with issue 4
SELECT 1;
