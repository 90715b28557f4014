-- Derived at publish time (build and import), after the initials: the directory's search profiles and each point's.
-- A profile is what a search can match on a point but its digits: category, places, the name's initials key and
-- the name and address lowercased with each run of ASCII digits written as 0. A text holds a substring of a name
-- exactly when the profile's key holds the text's own key (digits as 0) and, for a text with digits, the point's
-- own lowercased name; so a search reads the few thousand profiles, and the points' text only for a digit.
delete from search_point;

create temp table search_keyed as
select
    p.id,
    p.category,
    p.district_code,
    p.street_code,
    p.community_code,
    regexp_replace(p.name, '[0-9]+', '0', 'g') as initials_key,
    regexp_replace(lower(p.name), '[0-9]+', '0', 'g') as name_key,
    regexp_replace(lower(p.address), '[0-9]+', '0', 'g') as address_key,
    lower(p.name) as name_text,
    lower(p.address) as address_text
from service_point as p;

create temp table search_ranked as
select
    k.*,
    (dense_rank() over (
        order by k.category, k.district_code, k.street_code, k.community_code, k.initials_key, k.name_key,
            k.address_key
    ))::integer as profile_id
from search_keyed as k;

insert into search_profile
select
    r.profile_id,
    any_value(r.category) as category,
    any_value(r.district_code) as district_code,
    any_value(r.street_code) as street_code,
    any_value(r.community_code) as community_code,
    any_value(r.initials_key) as initials_key,
    any_value(r.name_key) as name_key,
    any_value(r.address_key) as address_key,
    count(*) as points
from search_ranked as r
group by r.profile_id
order by r.profile_id;

insert into search_point
select r.id, r.profile_id, r.name_text, r.address_text
from search_ranked as r
order by r.id;

drop table search_ranked;

drop table search_keyed;
