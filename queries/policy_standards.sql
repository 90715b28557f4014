-- Every coverage standard with the policy it rests on (basis = policy.code; policy columns null if none); no parameters.
select
    s.id as standard_id,
    s.sort_order,
    s.level as standard_level,
    s.label_zh,
    s.label_en,
    s.basis,
    p.code as policy_code,
    p.title,
    p.title_en,
    p.issuer,
    p.issued_on,
    p.doc_number,
    p.url
from coverage_standard as s
left join policy as p on s.basis = p.code
order by s.sort_order
