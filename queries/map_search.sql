-- Service points, community units, streets and districts whose name contains $search (literally, case-insensitive), within $district (nullable); at most $max_rows rows.
with
-- A text with Latin letters is matched case-insensitively (a regular expression on the escaped text); any other
-- text (Chinese) by plain containment, ten times cheaper over a million names. Both are written on the
-- parameter itself so DuckDB folds the pattern into a constant.
needle as (
    select trim($search) as text
    where $search is not null and length(trim($search)) > 0
),

-- Only the first $max_rows matching points (shortest names first) are joined to their street.
points as (
    select
        p.id,
        p.name,
        p.district_code,
        p.street_code,
        p.lon,
        p.lat
    from service_point as p
    where p.lon is not null
        and exists (select 1 from needle)
        and case
            when regexp_matches(trim($search), '[A-Za-z]')
                then regexp_matches(p.name, '(?i)' || regexp_escape(trim($search)))
            else contains(p.name, trim($search))
        end
        and ($district is null or p.district_code = $district)
    order by length(p.name), p.name
    limit $max_rows
),

candidates as (
    select
        'point' as kind,
        p.id as code,
        p.name,
        coalesce(s.name, '') as detail,
        p.district_code,
        p.street_code,
        p.lon,
        p.lat
    from points as p
    left join street as s on p.street_code = s.code
    union all
    select
        'street' as kind,
        s.code,
        s.name,
        d.name as detail,
        s.district_code,
        s.code as street_code,
        s.lon,
        s.lat
    from street as s
    inner join district as d on s.district_code = d.code
    inner join needle as n on contains(lower(s.name), lower(n.text))
    union all
    select
        'community' as kind,
        c.code,
        c.name,
        s.name as detail,
        c.district_code,
        c.street_code,
        c.lon,
        c.lat
    from community as c
    inner join street as s on c.street_code = s.code
    inner join needle as n on contains(lower(c.name), lower(n.text))
    union all
    select
        'district' as kind,
        d.code,
        d.name,
        '' as detail,
        d.code as district_code,
        null as street_code,
        d.label_lon as lon,
        d.label_lat as lat
    from district as d
    inner join needle as n on contains(lower(d.name), lower(n.text))
),

final as (
    select
        *,
        case kind when 'district' then 1 when 'street' then 2 when 'community' then 3 else 4 end as kind_order
    from candidates
    where $district is null or district_code = $district
)

select * from final
qualify row_number() over (order by kind_order, length(name), name) <= $max_rows
order by kind_order, length(name), name
