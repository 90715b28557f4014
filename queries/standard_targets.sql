-- What each coverage standard aims at (no parameters): standard_id, target_share (0-1), target_date (may be null), target_basis (a policy code, may be null), with the basis document's title.
select
    t.standard_id,
    t.target_share,
    t.target_date,
    t.target_basis,
    p.title as basis_title,
    p.title_en as basis_title_en
from standard_target as t
left join policy as p on t.target_basis = p.code
